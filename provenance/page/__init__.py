"""The shared lower layer for reading documents and pages: decoding with one charset policy, HTML
trees and their zones, what a page says about itself, publication dates and dates in URLs.

Harvest, check and archive all read pages through here; nothing here imports a stage.
"""
