"""Language-model providers: one structured completion each."""
