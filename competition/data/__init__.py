"""Seed data: policy values with their legal source, loaded by ``manage.py seed_rules``."""
