"""techbridge: connect companies with public research institutes and universities.

The library core holds organisations, people, technologies, needs and the cooperations between
them in a database; the CLI, API and web call the same services.
"""

from techbridge.config import Settings
from techbridge.errors import (
    ConfigError,
    ConflictError,
    ImportRejectedError,
    InvalidError,
    NotFoundError,
    NotIndexedError,
    PermissionDeniedError,
    TechbridgeError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "ConflictError",
    "ImportRejectedError",
    "InvalidError",
    "NotFoundError",
    "NotIndexedError",
    "PermissionDeniedError",
    "Settings",
    "TechbridgeError",
    "__version__",
]
