"""Pure steps over the after-sales sheet's tickets."""
