"""newsarchiver: capture news sites into WARC files, extract articles, search and read them offline."""

__version__ = "0.1.0"
