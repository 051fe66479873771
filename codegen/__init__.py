"""rust2go.codegen"""
