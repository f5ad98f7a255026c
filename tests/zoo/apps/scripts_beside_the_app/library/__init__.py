"""library: members borrow books; the deploy runs prestart.py and initial_data.py, an admin runs manage.py."""
