from fastapi import APIRouter

router = APIRouter()


@router.get("/api/health")
def health():
    return {"ok": True}


@router.get("/{full_path:path}")
def single_page_app(full_path: str):
    """Every other path is a page of the front end, which routes it in the browser."""
    return {"page": full_path, "shell": "index.html"}
