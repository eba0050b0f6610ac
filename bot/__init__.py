"""newsbot: cited, verified answers about a folder of news articles."""

__version__ = "0.1.0"
