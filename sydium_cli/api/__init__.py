"""The Sydium API client: wire models, errors and the httpx-based client (no terminal code here)."""
