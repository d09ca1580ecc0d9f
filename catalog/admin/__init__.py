"""The staff admin of the catalog: the category tree, brands, tags, products
with their variants, images, specifications and options, stock adjustments
with a required reason, a low-stock list and the read-only stock ledger.

Everything is saved through the catalog's services (paths of the category
tree, rendered descriptions, listing columns, search vectors, image
renditions, stock with its ledger), never by the admin's own ``save()``.
Change lists select their related rows up front, so their query count does
not grow with the page.
"""

from catalog.admin import products, stock, taxonomy

__all__ = ("products", "stock", "taxonomy")
