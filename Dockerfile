# The InvestGraph app (Streamlit on port 8501). docker-compose.yml runs it next to Neo4j;
# alone: docker run -p 127.0.0.1:8501:8501 -e INVESTGRAPH_STORE=... -e NEO4J_PASSWORD=... IMAGE
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INVESTGRAPH_HOME=/home/investgraph/.investgraph

# libgomp1: the OpenMP runtime LightGBM (the relation model) links against; slim images lack it
RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY app ./app
RUN pip install .
# EXTRAS=dask (docker-compose.yml's dask profile) adds what the Dask scheduler and workers need
ARG EXTRAS=""
RUN if [ -n "$EXTRAS" ]; then pip install ".[$EXTRAS]"; fi
COPY examples ./examples

RUN useradd --create-home investgraph
USER investgraph

EXPOSE 8501
CMD ["investgraph", "app", "--host", "0.0.0.0"]
