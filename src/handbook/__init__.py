"""The handbook's build machinery: one execution environment, the MkDocs hooks and the pytest bridge."""
