"""rust2go.daemon"""
