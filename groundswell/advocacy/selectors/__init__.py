"""Reads of advocacy data, each for an actor where anything private is involved."""
