"""Ways out of briefgen for a finished brief and its papers: notifications (email and chat),
search over what is stored, and export to reference managers."""
