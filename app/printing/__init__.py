"""Printed material: the lesson kit (student worksheet and teacher's answer key) and one-page state briefs, in
English and Spanish, as HTML with print CSS turned into PDF by the local Chromium."""
