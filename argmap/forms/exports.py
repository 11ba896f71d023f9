"""Downloading a map: which part of it a picture shows."""

from django import forms


class PictureOptions(forms.Form):
    """Which part of a big map a picture shows: one subtree (a node id of the map) and a depth."""

    root = forms.IntegerField(required=False, min_value=1)
    depth = forms.IntegerField(required=False, min_value=1, max_value=50)
