"""Flags / YAML -> a post plan -> CreatePostRequest(s); time parsing; offline checks; media plans."""
