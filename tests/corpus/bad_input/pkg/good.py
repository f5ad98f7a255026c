from pkg import helpers

def ok():
    return helpers.VALUE
