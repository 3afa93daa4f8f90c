"""dbdesign: keeps a repository's database design honest."""

__version__ = "0.1.0"
