# no coding line
name = 'été'
