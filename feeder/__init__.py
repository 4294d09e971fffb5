"""feeder: republish a folder of Hexo-style articles as RSS, Atom and JSON feeds."""

__version__ = "0.1.0"
