from intake.app import definition
from shared.runtime.service import main


def run() -> None:
    main(definition)


if __name__ == "__main__":
    run()
