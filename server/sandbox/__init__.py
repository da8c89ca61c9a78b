"""The Odoo sandbox: a stand-in for Odoo 18/19 for the calls kasir makes, backed by one SQLite
file. It answers like Odoo (same routes, same result shapes, same error objects), so the relay's
Odoo client is tested for real over HTTP without an Odoo server, and it misbehaves on purpose
(faults) so the relay's retries and idempotency are tested too. `kasir demo` runs the relay
against it with the demo shop. It is not part of the relay and imports nothing from it but the
JSON encoder both sides share (`decimal_json`).

- models: the models and fields it knows, as Odoo 18 names them;
- orm: the store, transactions, domains, search and read;
- errors: Odoo's exceptions as callers see them;
- api: the model methods execute_kw reaches; pos: pos.order.sync_from_ui and sessions;
- faults: misbehaviour and speed on demand; rpc: the HTTP app;
- demo: the demo minimart it is seeded with.
"""

from .api import PARTNER_WRITABLE
from .demo import seed
from .faults import Faults
from .models import MODELS
from .orm import SandboxStore, Transaction
from .rpc import SERVER_VERSION, Sandbox, create_app

__all__ = [
    "MODELS",
    "PARTNER_WRITABLE",
    "SERVER_VERSION",
    "Faults",
    "Sandbox",
    "SandboxStore",
    "Transaction",
    "create_app",
    "seed",
]
