"""Role profiles, onboarding and training."""
