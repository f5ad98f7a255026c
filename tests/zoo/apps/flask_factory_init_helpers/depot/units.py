class Units:
    KG = "kg"
    CRATE = "crate"

    @staticmethod
    def crates(kilos):
        return -(-kilos // 20)
