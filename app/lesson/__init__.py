"""The classroom lesson: the deck with its numbers computed (deck), and the offline pack and PNG slides (pack)."""
