class IngestError(Exception):
    """A document that cannot be read as a plan. The message is Chinese and meant for the user."""
