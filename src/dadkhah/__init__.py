"""dadkhah — evidence and case-building for accountability for mass atrocities."""

__version__ = "0.1.0"
