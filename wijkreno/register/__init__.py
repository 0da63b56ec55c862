"""Register of realised renovations, klimaattafels, trajectories, participative PV and
wijkverbeteringscontract milestones (issue 6), with an audit trail and bulk upload.

>>> from wijkreno.register import open_register
>>> reg = open_register("sqlite:///:memory:")
>>> reg.renovations().columns[:3].tolist()
['renovation_id', 'nis_code', 'adres_id']
"""

from wijkreno.register.store import (
    KIND_COLUMNS,
    REGISTER_KINDS,
    Register,
    load_vocabulary,
    open_register,
)

__all__ = ["KIND_COLUMNS", "REGISTER_KINDS", "Register", "load_vocabulary", "open_register"]
