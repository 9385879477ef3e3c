"""What every stage leans on: the store (the only SQL), HTTP and retries, the console (the
only Rich), secrets, prompts and atomic files."""
