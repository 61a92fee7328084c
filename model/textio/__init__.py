"""Reading and writing text safely: documents from files and HTML, languages, CSV cells."""
