"""Contributions from the public: events shared by collectivités and partners, contact requests to ANCT.

Nothing submitted here is public: an event contribution only reaches the agenda once an editor
accepts it, which creates an ``EvenementPage`` (draft or published) linked back to it.
"""
