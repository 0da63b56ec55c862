"""One model module per parameter file of ``wijkreno/params/``.

See :mod:`wijkreno.params.registry` for which model reads which file.
"""
