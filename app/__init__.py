"""app: the investgraph command line and the Streamlit app, both over the store interface."""
