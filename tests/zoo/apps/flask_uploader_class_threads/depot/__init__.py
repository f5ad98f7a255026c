"""depot: teams upload documents into folders, download them, and a background job fingerprints each one."""
