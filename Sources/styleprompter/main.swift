print("styleprompter")
