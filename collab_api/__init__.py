"""The national platform on which England's patient safety collaboratives share what works."""

__version__ = "0.1.0"
