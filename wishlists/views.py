"""Shopper pages of wishlists."""
