"""The pure domain core: case lifecycle, routing, reviews, working days. No AWS imports here."""
