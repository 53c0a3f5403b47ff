"""SMS Handbook: publish an ISO/IEC 20000-1 service management system with MkDocs."""

__version__ = "0.1.0"
