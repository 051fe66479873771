"""rust2go.shm"""
