"""From a day's analyses to one validated Brief: synthesis, large days, the rules enforced."""
