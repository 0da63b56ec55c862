"""Reading and writing: the only package of wijkreno that touches files and services.

``read_*`` functions read files, ``get_*`` functions call official services; both rename the
source's official field names to house names in one mapping (:mod:`wijkreno.io.columns`).
"""
