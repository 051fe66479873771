"""rust2go.runtime"""
