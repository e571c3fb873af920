"""sogni-core: a sans-IO protocol core for the Sogni Supernet."""

__version__ = "0.1.0"
