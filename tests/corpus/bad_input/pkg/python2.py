print "hello"
except_ok = 1
