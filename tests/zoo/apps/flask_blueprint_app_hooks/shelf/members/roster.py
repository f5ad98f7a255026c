MEMBERS = {"ada": 2, "grace": 0}


def loans_of(name):
    return MEMBERS.get(name)
