"""wijkreno: a digital twin of the Flemish building stock and a per-address renovation simulator.

Data flows one way: sources (``wijkreno.io``) → twin (``wijkreno.twin``) → simulate
(``wijkreno.simulate``) → aggregate → indicators → API / reports.
"""

__version__ = "0.1.0"
