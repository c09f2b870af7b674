"""sydium: publish and schedule social-media posts through the Sydium Public API."""

__version__ = "0.1.0"
