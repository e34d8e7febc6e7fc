from prephase.app import definition
from shared.service import main


def run() -> None:
    main(definition)


if __name__ == "__main__":
    run()
