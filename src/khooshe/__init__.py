"""Khooshe (خوشه): the open platform on which an innovation ecosystem is mapped, analysed and run."""

__version__ = "0.1.0"
