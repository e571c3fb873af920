"""sogni_cli: the ``sogni`` command line, on the blocking ``sogni_sync`` client.

Example::

    $ sogni image --local "a cat wearing a hat" -n 2 --out out/
    out/a-cat-wearing-a-hat-3f2a9c1e-1.png
    out/a-cat-wearing-a-hat-3f2a9c1e-2.png

In Python, :func:`main` takes the argument list and returns the exit status
(0 success, 1 API or connection error, 2 bad parameters or usage, 130
interrupted).
"""

from .main import main

__all__ = ["main"]
