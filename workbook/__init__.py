"""What Khet's sheets are: one definition per sheet, and the templates, models and docs built from them."""
